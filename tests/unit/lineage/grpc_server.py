"""A real MLMD gRPC server for tests: serves MetadataStoreService by handing every RPC's
request bytes to a real MLMD MetadataStore (SQLite) and returning its response bytes.

Run: python -m tests.unit.lineage.grpc_server DB_PATH PORT_FILE
It binds 127.0.0.1 on a free port and writes the port to PORT_FILE once serving.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent import futures

import grpc
from ml_metadata.metadata_store.pywrap.metadata_store_extension import metadata_store as cc
from ml_metadata.proto import metadata_store_pb2, metadata_store_service_pb2

SERVICE = metadata_store_service_pb2.DESCRIPTOR.services_by_name["MetadataStoreService"]


def make_server(db_path: str) -> tuple[grpc.Server, int]:
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = db_path
    config.sqlite.connection_mode = (
        metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    )
    store = cc.CreateMetadataStore(
        config.SerializeToString(), metadata_store_pb2.MigrationOptions().SerializeToString()
    )
    lock = threading.Lock()

    def handler(method_name: str):
        function = getattr(cc, method_name)

        def call(request: bytes, context: grpc.ServicerContext) -> bytes:
            with lock:
                response, error, code = function(store, request)
            if code != 0:
                context.abort(grpc.StatusCode(_STATUS[code]), error.decode("utf-8", "replace"))
            return response

        return grpc.unary_unary_rpc_method_handler(call)

    handlers = {m.name: handler(m.name) for m in SERVICE.methods if hasattr(cc, m.name)}
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SERVICE.full_name, handlers),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    return server, port


_STATUS = {s.value[0]: s.value for s in grpc.StatusCode}


def main() -> None:
    db_path, port_file = sys.argv[1], sys.argv[2]
    server, port = make_server(db_path)
    server.start()
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(port))
    os.replace(port_file + ".tmp", port_file)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
