"""Build script: everything is declared in pyproject.toml except the native extension."""

import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# `make run` sets HWINSPECTOR_NATIVE=optional: where the sampler cannot be built (no C compiler or no
# Python headers, as on a user's machine without build tools) the install goes on without it and the
# window runs on the pure-Python sampler, saying so. Every other build (make dev, wheels, the .deb)
# fails on a build error instead.
OPTIONAL = os.environ.get("HWINSPECTOR_NATIVE") == "optional"


class BuildExt(build_ext):
    """setuptools skips an optional extension that fails to build, but still lists it among the outputs,
    so a strict editable install then fails copying a file that is not there: forget it instead."""

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception:
            if ext.optional:
                self.extensions = [e for e in self.extensions if e is not ext]
            raise


setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=[
        Extension(
            "hwinspector.probes.telemetry._sampler",
            sources=[
                "probes/telemetry/native/sampler.c",
                "probes/telemetry/native/sampler_core.c",
                "probes/telemetry/native/sampler_perf.c",
            ],
            depends=["probes/telemetry/native/sampler_core.h", "probes/telemetry/native/sampler_perf.h"],
            extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wextra"],
            libraries=["pthread"],
            optional=OPTIONAL,
        )
    ],
)
