"""The yardstick: a bare Litestar app with one JSON endpoint, served by uvicorn beside coopvote
in the same run, so that coopvote's figures are read as ratios to what the framework and the
server can do on this machine at that moment."""

from litestar import Litestar, get


@get("/")
async def hello() -> dict[str, bool]:
    return {"ok": True}


app = Litestar([hello])
