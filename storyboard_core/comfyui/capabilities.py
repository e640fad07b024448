"""What a ComfyUI server can run, what a workflow needs, and which server a shot goes to.

A server's ``Capabilities`` come from ``/object_info`` (its node types, and the choices of every
combo input: what ComfyUI itself validates a prompt against) and ``/models/<folder>`` (the files in
each model folder). A filled workflow graph's ``Requirements`` are its ``class_type``s and the model
file names in its inputs, each with the model folder its loader reads from.

``choose_server`` is a pure function over cached data (no request per shot): the least busy server
that can run the graph, preferring one that last loaded the same model; when none can, it raises
``NoCapableServerError`` naming what is missing where::

    node WanImageToVideo: on no server; model wan2.1_i2v.safetensors: only on studio-2, which is offline
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import NoCapableServerError
from ..settings import ServerConfig
from ..types import JsonDict
from .client import ComfyUIClient, combo_choices
from .workflows import placeholder_name

#: An input value ending in one of these names a model file.
MODEL_SUFFIXES: tuple[str, ...] = (
    ".safetensors",
    ".ckpt",
    ".pt",
    ".pth",
    ".bin",
    ".gguf",
    ".sft",
    ".onnx",
)

#: The model folder (``/models/<folder>``) each loader input reads, for ComfyUI's own loaders.
#: ``/object_info`` does not name folders, so they are written down here once.
LOADER_FOLDERS: Mapping[tuple[str, str], str] = {
    ("CheckpointLoaderSimple", "ckpt_name"): "checkpoints",
    ("ImageOnlyCheckpointLoader", "ckpt_name"): "checkpoints",
    ("UNETLoader", "unet_name"): "diffusion_models",
    ("VAELoader", "vae_name"): "vae",
    ("CLIPLoader", "clip_name"): "text_encoders",
    ("DualCLIPLoader", "clip_name1"): "text_encoders",
    ("DualCLIPLoader", "clip_name2"): "text_encoders",
    ("TripleCLIPLoader", "clip_name1"): "text_encoders",
    ("TripleCLIPLoader", "clip_name2"): "text_encoders",
    ("TripleCLIPLoader", "clip_name3"): "text_encoders",
    ("CLIPVisionLoader", "clip_name"): "clip_vision",
    ("LoraLoader", "lora_name"): "loras",
    ("LoraLoaderModelOnly", "lora_name"): "loras",
    ("ControlNetLoader", "control_net_name"): "controlnet",
    ("UpscaleModelLoader", "model_name"): "upscale_models",
    ("StyleModelLoader", "style_model_name"): "style_models",
}
#: For other nodes (custom loaders), the folder an input's name suggests.
_INPUT_FOLDERS: Mapping[str, str] = {
    "ckpt_name": "checkpoints",
    "unet_name": "diffusion_models",
    "vae_name": "vae",
    "lora_name": "loras",
    "clip_name": "text_encoders",
    "control_net_name": "controlnet",
}
#: A server that last loaded the model a shot needs counts as this many prompts less busy.
WARM_BONUS = 1


@dataclass(frozen=True)
class Capabilities:
    """What one server offers: ``nodes`` maps each node type to its combo inputs' choices (in the
    server's order), and ``models`` each model folder to its files."""

    nodes: Mapping[str, Mapping[str, tuple[str, ...]]]
    models: Mapping[str, frozenset[str]]

    def choices(self, node_class: str, input_name: str) -> tuple[str, ...]:
        """The choices of one combo input (``()`` for an unknown node or input)."""
        return self.nodes.get(node_class, {}).get(input_name, ())

    def has_model(self, need: ModelNeed) -> bool:
        """True when the server has ``need``'s file where its node looks for it.

        The node's combo choices decide when it has them (ComfyUI checks a prompt against these; they
        also hold files outside the folder, such as ``pixel_space`` or the legacy ``unet`` folder);
        else the folder's listing; an input that is no combo on a node without a known folder
        cannot be checked and counts as there.
        """
        choices = self.nodes.get(need.node_class, {}).get(need.input)
        if choices is not None:
            return need.file in choices
        if need.folder is not None and need.folder in self.models:
            return need.file in self.models[need.folder]
        return True

    def missing(self, requirements: Requirements) -> list[str]:
        """What this server lacks of ``requirements``, in the words of a refusal (``[]``: none)."""
        lacks = [f"node {n}" for n in sorted(requirements.nodes) if n not in self.nodes]
        lacks += [f"model {m.file}" for m in requirements.models if not self.has_model(m)]
        return lacks


def capabilities_from(object_info: JsonDict, models: Mapping[str, Sequence[str]]) -> Capabilities:
    """``Capabilities`` from a full ``/object_info`` answer and each folder's ``/models`` listing."""
    nodes: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, definition in object_info.items():
        combos: dict[str, tuple[str, ...]] = {}
        spec = definition.get("input") if isinstance(definition, dict) else None
        for group in ("required", "optional"):
            inputs = spec.get(group) if isinstance(spec, dict) else None
            for input_name, input_spec in (inputs or {}).items():
                choices = combo_choices(input_spec)
                if choices is not None:
                    combos[str(input_name)] = tuple(choices)
        nodes[str(name)] = combos
    return Capabilities(
        nodes=nodes, models={folder: frozenset(files) for folder, files in models.items()}
    )


def read_capabilities(client: ComfyUIClient) -> Capabilities:
    """Ask ``client``'s server for its node types and model files (one ``/object_info``, one
    ``/models`` and one ``/models/<folder>`` per folder). Raises ``ComfyUIError`` like the client."""
    info = client.object_info()
    models = {folder: client.model_files(folder) for folder in client.model_folders()}
    return capabilities_from(info, models)


@dataclass(frozen=True)
class ModelNeed:
    """One model file a graph names: the node and input naming it, and the folder it is read from."""

    node_class: str
    input: str
    file: str
    folder: str | None


@dataclass(frozen=True)
class Requirements:
    """What a filled graph needs of a server: its node types and model files."""

    nodes: frozenset[str]
    models: tuple[ModelNeed, ...]

    @property
    def model_files(self) -> frozenset[str]:
        """The model file names alone."""
        return frozenset(m.file for m in self.models)


def _folder_of(node_class: str, input_name: str) -> str | None:
    return LOADER_FOLDERS.get((node_class, input_name)) or _INPUT_FOLDERS.get(input_name)


def requirements(graph: JsonDict) -> Requirements:
    """The node types of ``graph`` and the model files its inputs name.

    A model file is a string input of a known loader, or any string input ending in a model suffix
    (``.safetensors``, ``.ckpt``, …). Links (``["3", 0]``), other values and placeholders are not
    needs: fill the graph first (``fill_workflow``) to check the shot's own checkpoint too.
    """
    nodes: set[str] = set()
    models: dict[tuple[str, str, str], ModelNeed] = {}
    for node in graph.values():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            continue
        node_class = node["class_type"]
        nodes.add(node_class)
        inputs = node.get("inputs")
        for input_name, value in (inputs if isinstance(inputs, dict) else {}).items():
            if not isinstance(value, str) or not value or placeholder_name(value):
                continue
            known = (node_class, input_name) in LOADER_FOLDERS
            if known or value.lower().endswith(MODEL_SUFFIXES):
                key = (node_class, input_name, value)
                models[key] = ModelNeed(
                    node_class, input_name, value, _folder_of(node_class, input_name)
                )
    return Requirements(frozenset(nodes), tuple(models[k] for k in sorted(models)))


class Candidate(NamedTuple):
    """A configured server as ``choose_server`` sees it, all from caches.

    ``capabilities`` is ``None`` until they were read; ``queue_length`` (running + pending) is
    ``None`` while the server is offline; ``last_model`` is the model file it last loaded for us.
    """

    server: ServerConfig
    capabilities: Capabilities | None
    queue_length: int | None
    last_model: str | None = None


def _names(candidates: Sequence[Candidate]) -> str:
    names = [c.server.name for c in candidates]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _where(item: str, holders: list[Candidate]) -> str:
    """``"model x: only on a, which is offline"``: where one needed thing is."""
    if not holders:
        return f"{item}: on no server"
    up = [c for c in holders if c.queue_length is not None]
    down = [c for c in holders if c.queue_length is None]
    text = f"{item}: only on {_names(up)}" if up else f"{item}: only on {_names(down)}"
    if not up:
        return text + (", which is offline" if len(down) == 1 else ", which are offline")
    if down:
        text += f" (also on {_names(down)}, offline)"
    return text


def refusal(requirements: Requirements, candidates: Sequence[Candidate]) -> list[str]:
    """Why no online server can run ``requirements``, one phrase per problem.

    Each node type or model file that some online server lacks says where it is ("on no server",
    "only on studio-2, which is offline"); with no server online, only what no server has is named,
    then the servers that are offline; servers whose capabilities are not known yet come last.
    """
    if not candidates:
        return ["no ComfyUI server is configured"]
    known = [c for c in candidates if c.capabilities is not None]
    online = [c for c in known if c.queue_length is not None]
    phrases = []
    for item, holders in _holders(requirements, known):
        held = {id(c) for c in holders}  # by identity: comparing capabilities would be slow
        if not holders or (online and any(id(c) not in held for c in online)):
            phrases.append(_where(item, holders))
    offline = [c for c in candidates if c.queue_length is None]
    if not online and offline:
        phrases.append(f"no server is online ({_names(offline)} offline)")
    return phrases


def _holders(
    requirements: Requirements, known: list[Candidate]
) -> list[tuple[str, list[Candidate]]]:
    """Each needed node type and model file, named, with the servers that have it."""
    found = [
        (f"node {node}", [c for c in known if c.capabilities and node in c.capabilities.nodes])
        for node in sorted(requirements.nodes)
    ]
    found += [
        (
            f"model {need.file}",
            [c for c in known if c.capabilities and c.capabilities.has_model(need)],
        )
        for need in requirements.models
    ]
    return found


def choose_server(
    requirements: Requirements, candidates: Sequence[Candidate], *, what: str = "the workflow"
) -> ServerConfig:
    """The server to send a graph with ``requirements`` to: online, able to run it, least busy.

    A server that last loaded one of the graph's model files counts ``WARM_BONUS`` prompts less busy
    (loading a video model takes long) and wins a tie; other ties go to the first in ``candidates``
    (settings order).
    An online server whose capabilities are not read yet is chosen only when no known one can run
    the graph. Raises ``NoCapableServerError`` naming what is missing where when no online server
    can run it (``what`` names the thing refused in the message: "shot sh-1").
    """
    files = requirements.model_files
    best: tuple[int, bool, int] | None = None
    chosen: ServerConfig | None = None
    for index, (server, caps, length, last) in enumerate(candidates):
        if caps is None or length is None:
            continue
        if not requirements.nodes <= caps.nodes.keys():
            continue
        if not all(caps.has_model(m) for m in requirements.models):
            continue
        warm = last in files
        key = (length - (WARM_BONUS if warm else 0), not warm, index)
        if best is None or key < best:
            best, chosen = key, server
    if chosen is None:
        # A server online whose offer is not read yet (the catalog's first fetch is under way) is
        # not refused for it: the least busy such one gets the graph, and ComfyUI itself refuses a
        # graph it cannot run, as before routing.
        unread = [(c.queue_length, i) for i, c in enumerate(candidates) if c.capabilities is None]
        unread = [(length, i) for length, i in unread if length is not None]
        if unread:
            return candidates[min(unread)[1]].server
        raise NoCapableServerError(what, refusal(requirements, candidates))
    return chosen


__all__ = [
    "LOADER_FOLDERS",
    "MODEL_SUFFIXES",
    "WARM_BONUS",
    "Candidate",
    "Capabilities",
    "ModelNeed",
    "Requirements",
    "capabilities_from",
    "choose_server",
    "read_capabilities",
    "refusal",
    "requirements",
]
