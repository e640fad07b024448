"""A trimmed ``/object_info`` of ComfyUI 0.3.64: the node classes Storyboard Studio's workflows use.

EmptyImage, SaveImage, CheckpointLoaderSimple and KSampler are copied from the recorded transcripts
(04-08); the others follow the same shape. The checkpoint list is filled in per fake server.
"""

from __future__ import annotations

import copy
from typing import Any

SAMPLERS = [
    "euler",
    "euler_cfg_pp",
    "euler_ancestral",
    "euler_ancestral_cfg_pp",
    "heun",
    "heunpp2",
    "dpm_2",
    "dpm_2_ancestral",
    "lms",
    "dpm_fast",
    "dpm_adaptive",
    "dpmpp_2s_ancestral",
    "dpmpp_2s_ancestral_cfg_pp",
    "dpmpp_sde",
    "dpmpp_sde_gpu",
    "dpmpp_2m",
    "dpmpp_2m_cfg_pp",
    "dpmpp_2m_sde",
    "dpmpp_2m_sde_gpu",
    "dpmpp_2m_sde_heun",
    "dpmpp_2m_sde_heun_gpu",
    "dpmpp_3m_sde",
    "dpmpp_3m_sde_gpu",
    "ddpm",
    "lcm",
    "ipndm",
    "ipndm_v",
    "deis",
    "res_multistep",
    "res_multistep_cfg_pp",
    "res_multistep_ancestral",
    "res_multistep_ancestral_cfg_pp",
    "gradient_estimation",
    "gradient_estimation_cfg_pp",
    "er_sde",
    "seeds_2",
    "seeds_3",
    "sa_solver",
    "sa_solver_pece",
    "ddim",
    "uni_pc",
    "uni_pc_bh2",
]

SCHEDULERS = [
    "simple",
    "sgm_uniform",
    "karras",
    "exponential",
    "ddim_uniform",
    "beta",
    "normal",
    "linear_quadratic",
    "kl_optimal",
]


def _node(
    name: str,
    display_name: str,
    category: str,
    required: dict[str, Any],
    output: list[str],
    *,
    hidden: dict[str, str] | None = None,
    output_node: bool = False,
    description: str = "",
    output_tooltips: list[str] | None = None,
) -> dict[str, Any]:
    inputs: dict[str, Any] = {"required": required}
    order: dict[str, list[str]] = {"required": list(required)}
    if hidden:
        inputs["hidden"] = hidden
        order["hidden"] = list(hidden)
    entry: dict[str, Any] = {
        "input": inputs,
        "input_order": order,
        "output": output,
        "output_is_list": [False] * len(output),
        "output_name": list(output),
        "name": name,
        "display_name": display_name,
        "description": description,
        "python_module": "nodes",
        "category": category,
        "output_node": output_node,
    }
    if output_tooltips:
        entry["output_tooltips"] = output_tooltips
    return entry


_SAVE_HIDDEN = {"prompt": "PROMPT", "extra_pnginfo": "EXTRA_PNGINFO"}

_BASE: dict[str, dict[str, Any]] = {
    "CheckpointLoaderSimple": _node(
        "CheckpointLoaderSimple",
        "Load Checkpoint",
        "loaders",
        {"ckpt_name": [[], {"tooltip": "The name of the checkpoint (model) to load."}]},
        ["MODEL", "CLIP", "VAE"],
        description="Loads a diffusion model checkpoint, diffusion models are used to denoise "
        "latents.",
        output_tooltips=[
            "The model used for denoising latents.",
            "The CLIP model used for encoding text prompts.",
            "The VAE model used for encoding and decoding images to and from latent space.",
        ],
    ),
    "CLIPTextEncode": _node(
        "CLIPTextEncode",
        "CLIP Text Encode (Prompt)",
        "conditioning",
        {
            "text": [
                "STRING",
                {
                    "multiline": True,
                    "dynamicPrompts": True,
                    "tooltip": "The text to be encoded.",
                },
            ],
            "clip": ["CLIP", {"tooltip": "The CLIP model used for encoding the text."}],
        },
        ["CONDITIONING"],
        description="Encodes a text prompt using a CLIP model into an embedding that can be used "
        "to guide the diffusion model towards generating specific images.",
    ),
    "EmptyLatentImage": _node(
        "EmptyLatentImage",
        "Empty Latent Image",
        "latent",
        {
            "width": [
                "INT",
                {
                    "default": 512,
                    "min": 16,
                    "max": 16384,
                    "step": 8,
                    "tooltip": "The width of the latent images in pixels.",
                },
            ],
            "height": [
                "INT",
                {
                    "default": 512,
                    "min": 16,
                    "max": 16384,
                    "step": 8,
                    "tooltip": "The height of the latent images in pixels.",
                },
            ],
            "batch_size": [
                "INT",
                {
                    "default": 1,
                    "min": 1,
                    "max": 4096,
                    "tooltip": "The number of latent images in the batch.",
                },
            ],
        },
        ["LATENT"],
        description="Create a new batch of empty latent images to be denoised via sampling.",
    ),
    "KSampler": _node(
        "KSampler",
        "KSampler",
        "sampling",
        {
            "model": ["MODEL", {"tooltip": "The model used for denoising the input latent."}],
            "seed": [
                "INT",
                {
                    "default": 0,
                    "min": 0,
                    "max": 18446744073709551615,
                    "control_after_generate": True,
                    "tooltip": "The random seed used for creating the noise.",
                },
            ],
            "steps": [
                "INT",
                {
                    "default": 20,
                    "min": 1,
                    "max": 10000,
                    "tooltip": "The number of steps used in the denoising process.",
                },
            ],
            "cfg": [
                "FLOAT",
                {
                    "default": 8.0,
                    "min": 0.0,
                    "max": 100.0,
                    "step": 0.1,
                    "round": 0.01,
                    "tooltip": "The Classifier-Free Guidance scale.",
                },
            ],
            "sampler_name": [SAMPLERS, {"tooltip": "The algorithm used when sampling."}],
            "scheduler": [SCHEDULERS, {"tooltip": "The scheduler controls how noise is removed."}],
            "positive": ["CONDITIONING", {"tooltip": "What to include in the image."}],
            "negative": ["CONDITIONING", {"tooltip": "What to exclude from the image."}],
            "latent_image": ["LATENT", {"tooltip": "The latent image to denoise."}],
            "denoise": [
                "FLOAT",
                {
                    "default": 1.0,
                    "min": 0.0,
                    "max": 1.0,
                    "step": 0.01,
                    "tooltip": "The amount of denoising applied.",
                },
            ],
        },
        ["LATENT"],
        description="Uses the provided model, positive and negative conditioning to denoise the "
        "latent image.",
        output_tooltips=["The denoised latent."],
    ),
    "VAEDecode": _node(
        "VAEDecode",
        "VAE Decode",
        "latent",
        {
            "samples": ["LATENT", {"tooltip": "The latent to be decoded."}],
            "vae": ["VAE", {"tooltip": "The VAE model used for decoding the latent."}],
        },
        ["IMAGE"],
        description="Decodes latent images back into pixel space images.",
        output_tooltips=["The decoded image."],
    ),
    "EmptyImage": _node(
        "EmptyImage",
        "EmptyImage",
        "image",
        {
            "width": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}],
            "height": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}],
            "batch_size": ["INT", {"default": 1, "min": 1, "max": 4096}],
            "color": [
                "INT",
                {"default": 0, "min": 0, "max": 16777215, "step": 1, "display": "color"},
            ],
        },
        ["IMAGE"],
    ),
    "SaveImage": _node(
        "SaveImage",
        "Save Image",
        "image",
        {
            "images": ["IMAGE", {"tooltip": "The images to save."}],
            "filename_prefix": [
                "STRING",
                {
                    "default": "ComfyUI",
                    "tooltip": "The prefix for the file to save. This may include formatting "
                    "information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to "
                    "include values from nodes.",
                },
            ],
        },
        [],
        hidden=_SAVE_HIDDEN,
        output_node=True,
        description="Saves the input images to your ComfyUI output directory.",
    ),
    "PreviewImage": _node(
        "PreviewImage",
        "Preview Image",
        "image",
        {"images": ["IMAGE", {"tooltip": "The images to preview."}]},
        [],
        hidden=_SAVE_HIDDEN,
        output_node=True,
        description="Saves the input images to your ComfyUI temp directory.",
    ),
}


_BASE["LoadImage"] = _node(
    "LoadImage",
    "Load Image",
    "image",
    # The choices are the files of the server's input folder (what /upload/image put there).
    {"image": [[], {"image_upload": True}]},
    ["IMAGE", "MASK"],
)


def build_object_info(
    checkpoints: list[str], input_images: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """A fresh ``/object_info`` answer: ``checkpoints`` as the ``ckpt_name`` choices and
    ``input_images`` (the input folder's files) as ``LoadImage``'s ``image`` choices."""
    info = copy.deepcopy(_BASE)
    info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] = list(checkpoints)
    info["LoadImage"]["input"]["required"]["image"][0] = sorted(input_images or [])
    return dict(sorted(info.items()))
