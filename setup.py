"""Package layout: `components/` and `pipelines/` ship inside the `driftline` package."""

from setuptools import find_packages, setup

setup(
    packages=find_packages("src") + ["driftline.components", "driftline.pipelines"],
    package_dir={
        "": "src",
        "driftline.components": "components",
        "driftline.pipelines": "pipelines",
    },
    package_data={
        "driftline.components": ["yaml/*.yaml"],
        "driftline.pipelines": ["yaml/*.yaml"],
        "driftline": ["py.typed", "demo/data/*", "**/*.html", "**/*.yaml", "**/*.json"],
    },
)
