"""SFT Explorer: see, check and curate supervised fine-tuning datasets."""

__version__ = "0.1.0"
