"""``POST /prompt``'s checks, mirroring ComfyUI 0.3.64's ``execution.validate_prompt``.

The error shapes (``invalid_prompt``, ``prompt_no_outputs``, ``required_input_missing``,
``return_type_mismatch``, ``invalid_input_type``, ``value_smaller_than_min``,
``value_bigger_than_max``, ``value_not_in_list``, ``exception_during_validation``) are those the real
server was recorded giving (transcripts 43-58).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyboard_core.types import JsonDict


@dataclass
class Validation:
    """The outcome of checking a prompt: the error (None if accepted), the outputs that may run."""

    error: JsonDict | None = None
    good_outputs: list[str] = field(default_factory=list)
    node_errors: JsonDict = field(default_factory=dict)


def error_entry(kind: str, message: str, details: str = "") -> JsonDict:
    """An ``error`` object of ComfyUI's 400 answer."""
    return {"type": kind, "message": message, "details": details, "extra_info": {}}


def validate(prompt: JsonDict, info: JsonDict) -> Validation:
    """Check ``prompt`` against the node classes of ``info`` (an ``/object_info``) as ComfyUI does."""
    outputs: list[str] = []
    for node_id, node in prompt.items():
        if not isinstance(node, dict) or "class_type" not in node:
            message = "Cannot execute because a node is missing the class_type property."
            return Validation(error_entry("invalid_prompt", message, f"Node ID '#{node_id}'"))
        class_type = node["class_type"]
        if class_type not in info:
            message = f"Cannot execute because node {class_type} does not exist."
            return Validation(error_entry("invalid_prompt", message, f"Node ID '#{node_id}'"))
        if info[class_type]["output_node"]:
            outputs.append(node_id)
    if not outputs:
        return Validation(error_entry("prompt_no_outputs", "Prompt has no outputs"))
    validated: dict[str, tuple[bool, list[JsonDict]]] = {}
    result = Validation()
    own_errors: list[JsonDict] = []
    for output in outputs:
        ok, reasons = validate_node(prompt, output, validated, info)
        if ok:
            result.good_outputs.append(output)
            continue
        own_errors.extend(reasons)
        for node_id, (node_ok, node_reasons) in validated.items():
            if node_ok or not node_reasons:
                continue
            entry = result.node_errors.setdefault(
                node_id,
                {
                    "errors": node_reasons,
                    "dependent_outputs": [],
                    "class_type": prompt[node_id]["class_type"],
                },
            )
            entry["dependent_outputs"].append(output)
    if not result.good_outputs:
        details = "\n".join(f"{e['message']}: {e['details']}" for e in own_errors)
        result.error = error_entry(
            "prompt_outputs_failed_validation", "Prompt outputs failed validation", details
        )
    return result


def validate_node(
    prompt: JsonDict,
    node_id: str,
    validated: dict[str, tuple[bool, list[JsonDict]]],
    info: JsonDict,
) -> tuple[bool, list[JsonDict]]:
    """Whether ``node_id`` and the nodes it is linked from are valid, and its own errors.

    Results are kept in ``validated`` (by node id), so a node shared by two outputs is checked once.
    """
    if node_id in validated:
        return validated[node_id]
    node = prompt[node_id]
    inputs = node.get("inputs") or {}
    spec = info[node["class_type"]]
    errors: list[JsonDict] = []
    valid = True
    for name, config in spec["input"]["required"].items():
        input_type, options = config[0], config[1] if len(config) > 1 else {}
        if name not in inputs:
            errors.append(
                {
                    "type": "required_input_missing",
                    "message": "Required input is missing",
                    "details": name,
                    "extra_info": {"input_name": name},
                }
            )
            continue
        value = inputs[name]
        if isinstance(value, list):  # a link: [node_id, output_index]
            linked = str(value[0])
            if linked not in prompt:
                reasons = [
                    {
                        "type": "exception_during_validation",
                        "message": "Exception when validating node",
                        "details": repr(linked),
                        "extra_info": {
                            "exception_type": "KeyError",
                            "traceback": ['  File "ComfyUI/execution.py", in validate_inputs\n'],
                        },
                    }
                ]
                validated[node_id] = (False, reasons)
                return validated[node_id]
            linked_outputs = info[prompt[linked]["class_type"]]["output"]
            index = int(value[1])
            received = linked_outputs[index] if index < len(linked_outputs) else None
            if isinstance(input_type, str) and received != input_type and input_type != "*":
                errors.append(
                    {
                        "type": "return_type_mismatch",
                        "message": "Return type mismatch between linked nodes",
                        "details": f"{name}, received_type({received}) mismatch "
                        f"input_type({input_type})",
                        "extra_info": {
                            "input_name": name,
                            "input_config": config,
                            "received_type": received,
                            "linked_node": value,
                        },
                    }
                )
                continue
            linked_ok, _ = validate_node(prompt, linked, validated, info)
            if not linked_ok:
                valid = False
            continue
        # Reported as [type, options], options {} when the definition has none (142).
        error = check_value(name, value, [input_type, options], input_type, options)
        if error is not None:
            errors.append(error)
    result = (not errors and valid, errors)
    validated[node_id] = result
    return result


def check_value(
    name: str, value: Any, config: list[Any], input_type: Any, options: JsonDict
) -> JsonDict | None:
    """The error of one input's literal ``value`` against its ``config``, or None if it fits."""
    converters: dict[str, Callable[[Any], Any]] = {"INT": int, "FLOAT": float, "STRING": str}
    if isinstance(input_type, str) and input_type in converters:
        try:
            value = converters[input_type](value)
        except (TypeError, ValueError) as exc:
            return {
                "type": "invalid_input_type",
                "message": f"Failed to convert an input value to a {input_type} value",
                "details": f"{name}, {value}, {exc}",
                "extra_info": {
                    "input_name": name,
                    "input_config": config,
                    "received_value": value,
                    "exception_message": str(exc),
                },
            }
    extra = {"input_name": name, "input_config": config, "received_value": value}
    if "min" in options and value < options["min"]:
        message = f"Value {value} smaller than min of {options['min']}"
        return {
            "type": "value_smaller_than_min",
            "message": message,
            "details": name,
            "extra_info": extra,
        }
    if "max" in options and value > options["max"]:
        message = f"Value {value} bigger than max of {options['max']}"
        return {
            "type": "value_bigger_than_max",
            "message": message,
            "details": name,
            "extra_info": extra,
        }
    if isinstance(input_type, list) and value not in input_type:
        # Long lists are summarised and their config left out, exactly like the real server.
        long = len(input_type) > 20
        listed = f"(list of length {len(input_type)})" if long else str(input_type)
        return {
            "type": "value_not_in_list",
            "message": "Value not in list",
            "details": f"{name}: '{value}' not in {listed}",
            "extra_info": {
                "input_name": name,
                "input_config": None if long else config,
                "received_value": value,
            },
        }
    return None
