"""Shipped model weights (``*.npz``, plain arrays, no pickle), rebuilt by ``scripts/train_models.py``.

See docs/models.md for what each file holds, how it was trained and how well it does.
"""
