# Keep equal to package.json's "version" (checked by tests/test_version.py).
__version__ = "0.1.0"
