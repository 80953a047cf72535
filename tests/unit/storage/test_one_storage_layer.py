"""Nothing outside `driftline.storage` opens a path or URI: an AST scan of the library, the
components and the pipelines for every other way to open, read, write or copy a file."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCANNED = ("src/driftline", "components", "pipelines")
STORAGE = "src/driftline/storage/"

# file -> why it may open files itself. Keep it short: each entry is a promise that the
# module never touches a URI a user gave.
ALLOWED = {
    "src/driftline/sink/wal.py": (
        "the sink's write-ahead log: append-only segments and a checkpoint in its local state "
        "folder, fsynced in the order its crash-recovery protocol needs; never a URI"
    ),
    "src/driftline/performance/spill.py": (
        "scratch files of one performance run in a private temporary folder, deleted with it"
    ),
    "src/driftline/inference_log/spill.py": (
        "halves of calls spilled to a private temporary folder while a window pairs, deleted "
        "with it"
    ),
    "src/driftline/io/log_stream.py": (
        "a window's paired calls staged in a private temporary folder, deleted with it; the "
        "caller writes them out through storage.atomic_output"
    ),
    "src/driftline/demo/runner.py": (
        "the demo's task log, streamed while the demo runs so a failed task can be read"
    ),
    "src/driftline/io/sagemaker_layout.py": (
        "SageMaker capture files found hour folder by hour folder through the filesystem that "
        "storage.resolve gave (storage.list_files would list the whole prefix)"
    ),
}

# Calls that open, read, write, copy or move a file: name called -> the owners it is called
# on (`pq.read_table`), "" for a bare call (`open(...)`), ANY for a method of any object
# (`path.read_text()`). Names that are also harmless elsewhere (`str.replace`) need their owner.
ANY = "*"
_PYARROW_FS = (
    "LocalFileSystem",
    "S3FileSystem",
    "GcsFileSystem",
    "HadoopFileSystem",
    "SubTreeFileSystem",
    "PyFileSystem",
    "from_uri",
    "open_input_file",
    "open_input_stream",
    "open_output_stream",
    "open_append_stream",
    "copy_files",
    "delete_file",
    "delete_dir",
    "create_dir",
)
OPENERS: dict[str, tuple[str, ...]] = {
    "open": ("", ANY),
    "fdopen": ("os",),
    **dict.fromkeys(("read_text", "write_text", "read_bytes", "write_bytes"), ("", ANY)),
    **dict.fromkeys(("replace", "rename", "link", "symlink"), ("os",)),
    **dict.fromkeys(("copyfile", "copy", "copy2", "copytree", "move"), ("shutil",)),
    **dict.fromkeys(("mkstemp", "NamedTemporaryFile", "TemporaryFile"), ("tempfile", "")),
    **dict.fromkeys(("dump", "load"), ("json", "pickle", "joblib", "yaml", "np")),
    **dict.fromkeys(_PYARROW_FS, (ANY,)),
    **dict.fromkeys(
        ("read_table", "write_table", "ParquetFile", "ParquetWriter", "ParquetDataset"),
        ("pq", "parquet"),
    ),
    **dict.fromkeys(("read_metadata", "read_schema"), ("pq", "parquet")),
    **dict.fromkeys(("read_csv", "open_csv", "write_csv", "CSVWriter"), ("pcsv", "csv", "pd")),
    "read_json": ("pajson", "json", "pd"),
    "write_dataset": ("ds", "dataset"),
    **dict.fromkeys(("OSFile", "memory_map", "input_stream", "output_stream"), ("pa",)),
    **dict.fromkeys(("read_parquet", "read_pickle", "read_feather"), ("pd", "feather")),
    **dict.fromkeys(("to_parquet", "to_csv", "to_json", "to_pickle", "to_feather"), (ANY,)),
    "write_feather": ("feather",),
}
FORBIDDEN_IMPORTS = ("fsspec", "s3fs", "gcsfs", "smart_open")
# Arguments that are data in memory, not a place: reading or writing them opens nothing.
IN_MEMORY = {"BytesIO", "StringIO", "BufferReader", "BufferOutputStream", "py_buffer"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _owner(node: ast.expr) -> str:
    return _name(node.value) if isinstance(node, ast.Attribute) else ""


class _Scanner(ast.NodeVisitor):
    """Collects calls that open files, except on a temporary path that
    `storage.atomic_output(...)` gave (`with atomic_output(x) as tmp: pq.write_table(t, tmp)`)
    or on data in memory."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.staged: list[set[str]] = [set()]
        self.storage_api: set[str] = set()  # names imported from driftline.storage

    def visit_With(self, node: ast.With) -> None:
        names = {
            item.optional_vars.id
            for item in node.items
            if isinstance(item.context_expr, ast.Call)
            and _name(item.context_expr.func) == "atomic_output"
            and isinstance(item.optional_vars, ast.Name)
        }
        self.staged.append(self.staged[-1] | names)
        self.generic_visit(node)
        self.staged.pop()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._import(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._import(node, node.module or "")
        if (node.module or "").startswith("driftline.storage"):
            self.storage_api |= {alias.asname or alias.name for alias in node.names}

    def _import(self, node: ast.stmt, module: str) -> None:
        if module.split(".")[0] in FORBIDDEN_IMPORTS:
            self.findings.append(Finding(self.path, node.lineno, f"import {module}"))

    def visit_Call(self, node: ast.Call) -> None:
        name, owner = _name(node.func), _owner(node.func)
        ours = owner == "storage" or (not owner and name in self.storage_api)
        if self._opens(name, owner, node) and not ours and not self._harmless(node):
            called = f"{owner}.{name}" if owner else name
            self.findings.append(Finding(self.path, node.lineno, f"{called}(...)"))
        if name in ("client", "resource") and _first_string(node) == "s3":
            self.findings.append(Finding(self.path, node.lineno, f"{name}('s3')"))
        self.generic_visit(node)

    @staticmethod
    def _opens(name: str, owner: str, node: ast.Call) -> bool:
        owners = OPENERS.get(name, ())
        if not owner:
            return "" in owners
        return owner in owners or (ANY in owners and isinstance(node.func, ast.Attribute))

    def _harmless(self, node: ast.Call) -> bool:
        args = [*node.args, *(k.value for k in node.keywords)]
        for arg in args:
            if isinstance(arg, ast.Call) and _name(arg.func) in IN_MEMORY:
                return True
            if isinstance(arg, ast.Name) and arg.id in self.staged[-1]:
                return True
        return False


def _first_string(node: ast.Call) -> str | None:
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def scan(path: Path) -> list[Finding]:
    relative = path.relative_to(REPO).as_posix()
    scanner = _Scanner(relative)
    scanner.visit(ast.parse(path.read_text(), filename=relative))
    return scanner.findings


def python_files() -> list[Path]:
    return sorted(p for root in SCANNED for p in (REPO / root).rglob("*.py"))


def test_nothing_outside_storage_opens_a_file() -> None:
    files = [p for p in python_files() if not p.relative_to(REPO).as_posix().startswith(STORAGE)]
    assert len(files) > 100  # the scan sees the code base
    found = [f for p in files if p.relative_to(REPO).as_posix() not in ALLOWED for f in scan(p)]
    assert not found, (
        "open paths and URIs through driftline.storage (read_bytes/read_text/open_input, "
        "write_bytes/write_text/write_together/atomic_output), or add the module to ALLOWED "
        "with the reason:\n" + "\n".join(map(str, found))
    )


def test_the_allow_list_is_still_needed() -> None:
    for relative in ALLOWED:
        assert scan(REPO / relative), f"{relative} opens no file any more: drop it from ALLOWED"


def test_the_scan_finds_each_way_to_open_a_file(tmp_path: Path) -> None:
    """The scanner itself: each of these lines opens a file another way, and is found."""
    lines = [
        "open('x')",
        "Path('x').read_text()",
        "Path('x').write_bytes(b'')",
        "import fsspec",
        "from s3fs import S3FileSystem",
        "pafs.S3FileSystem(region='x')",
        "pa.fs.FileSystem.from_uri('s3://b/k')",
        "pq.read_table('s3://b/k')",
        "pq.write_table(table, out_path)",
        "pd.read_csv(path)",
        "frame.to_parquet(path)",
        "json.dump(document, handle)",
        "joblib.dump(model, path)",
        "shutil.copyfile(a, b)",
        "os.replace(a, b)",
        "tempfile.mkstemp()",
        "boto3.client('s3')",
        "with other(x) as tmp:\n    pq.write_table(t, tmp)",
    ]
    allowed = [
        "pq.read_table(pa.BufferReader(data))",
        "pd.read_csv(io.BytesIO(data))",
        "json.loads(text)",
        "json.dumps(document)",
        "text.replace('a', 'b')",
        "dataclasses.replace(options, x=1)",
        "read_table(source, columns=['x'])",
        "to_json(document)",
        "with storage.atomic_output(target) as tmp:\n    pq.write_table(t, tmp)",
        "storage.read_text(uri)",
        "from driftline.storage import read_text\nread_text(uri)",
    ]
    sample = REPO / "src" / "driftline" / "_scan_sample.py"
    for line in lines + allowed:
        found = _scan_text(line, sample)
        assert bool(found) == (line in lines), (line, found)


def _scan_text(text: str, where: Path) -> list[Finding]:
    scanner = _Scanner(where.relative_to(REPO).as_posix())
    scanner.visit(ast.parse(text))
    return scanner.findings
