"""Bundles in: the files declared once (``files``), read as registries export them
(``encoding``, ``tabular``, ``mapping``: GB18030, xlsx, Chinese headers and values),
validated and normalised (``validate``, ``normalise``), bad rows and nulled values reported
(``quarantine``), loaded (``pipeline``, ``writer``, ``load``); FtM input and the synthetic
province (``synthetic``)."""
