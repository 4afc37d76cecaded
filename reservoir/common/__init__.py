"""The core shared by the three model families (reservoir, rtrl, lstm): parameter and input
validation (:mod:`.validation`), devices and threads (:mod:`.device`), progress bars
(:mod:`.progress`), sequence scores (:mod:`.scoring`), docstring fragments (:mod:`.docstrings`),
kernel flags and CUDA launch sizes (:mod:`.config`, :mod:`.cuda`).

rtrl/ and lstm/ import from here (and from their own family) only."""
