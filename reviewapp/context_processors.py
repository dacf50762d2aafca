from pathways.access import NOBODY


def access(request) -> dict:
    """`access`: what the signed-in person can reach (reviewapp.middleware.AccessMiddleware)."""
    return {"access": getattr(request, "access", NOBODY)}
