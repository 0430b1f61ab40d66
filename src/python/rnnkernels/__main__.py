"""`python -m rnnkernels`: which native library is loaded and which kernel tier it runs."""
from . import build_info

print(build_info())
