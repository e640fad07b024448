"""Each page's own parts, one module (or folder) per page; ``pages/`` puts them together."""
