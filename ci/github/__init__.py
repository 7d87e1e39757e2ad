"""noxci inside GitHub Actions: the job matrix, merging the jobs' artifacts, baselines, nightly.

Each module is what one workflow step runs (``python -m ci matrix|merge|baseline|nightly``),
so the workflows in ``.github/`` stay thin and their logic is tested here.
"""

__all__: list[str] = []
