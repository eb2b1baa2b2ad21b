#!/usr/bin/env python3
"""The hwinspector checkbox provider: `./manage.py validate`, `./manage.py develop -d DIR`, `./manage.py install`."""

from plainbox.provider_manager import N_, setup

setup(
    name="io.github.hwinspector:hwinspector",
    namespace="io.github.hwinspector",
    version="0.1",
    description=N_("hwinspector: enablement scorecard gate and evidence bundle"),
    gettext_domain="hwinspector-provider",
)
