"""Deployable entry point: one run over a config's sources (or the ones named).

prefect.yaml points here (``flows/translate_and_publish.py:translate_and_publish``).
The flow is the installed package's; this file only makes it findable where
Prefect users look for deployable flows. Workers need the package installed
(``pip install translator-pipeline``, the same version everywhere).
"""

from translator_pipeline.flows import translate_and_publish

__all__ = ["translate_and_publish"]

if __name__ == "__main__":  # a one-off run: python flows/translate_and_publish.py site.toml
    import sys

    translate_and_publish(config_path=sys.argv[1])
