"""Version 1 of the public read API."""

from fastapi import APIRouter, Depends

from app.api.auth import read_gate
from app.api.strict_query import known_query_parameters
from app.api.v1 import audit, exports, index, params, reads, stats, writes

router = APIRouter(
    prefix="/v1",
    dependencies=[
        Depends(params.no_nul_bytes),
        Depends(read_gate),
        Depends(known_query_parameters),
    ],
)
index.register(router)
router.include_router(reads.router)
router.include_router(stats.router)
router.include_router(exports.router)
router.include_router(writes.router)
router.include_router(audit.router)
