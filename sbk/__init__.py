"""sbk: China's social security card (社会保障卡) dispatch forms, catalogs and analyses."""

__version__ = "0.1.0"
