"""Package layout: `components/` and `pipelines/` ship inside the `driftline` package."""

from setuptools import find_packages, setup

DATA_PACKAGES = {  # folders of data files, shipped as packages so setuptools includes them
    "driftline.components.yaml": ["*.yaml"],
    "driftline.pipelines.yaml": ["*.yaml"],
    "driftline.demo.data": ["*"],
}

setup(
    packages=[
        *find_packages("src"),
        "driftline.components",
        "driftline.pipelines",
        *DATA_PACKAGES,
    ],
    package_dir={
        "": "src",
        "driftline.components": "components",
        "driftline.pipelines": "pipelines",
    },
    package_data={"driftline": ["py.typed"], **DATA_PACKAGES},
)
