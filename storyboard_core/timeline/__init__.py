"""Time in the animatic: what plays when.

``running_order`` (the shots end to end with their start times), ``captions`` (dialogue cues on
those times) and ``camera`` (a camera move's view of a still at each moment of its shot).
"""
