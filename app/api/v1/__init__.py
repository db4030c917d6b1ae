"""Version 1 of the public read API."""

from fastapi import APIRouter

from app.api.v1 import content, exports, reference, stats

router = APIRouter(prefix="/v1")
router.include_router(reference.router)
router.include_router(content.router)
router.include_router(stats.router)
router.include_router(exports.router)
