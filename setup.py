"""Build script: everything is declared in pyproject.toml except the native extension."""

from setuptools import Extension, setup

setup(
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
        )
    ]
)
