"""API permissions (a module of its own: DRF imports it while loading its settings)."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class StaffModelPermissions(DjangoModelPermissions):
    """Anyone reads; a write needs an active staff user holding the model's permission for it
    (add, change or delete), as in the admin. A view without a model takes no writes."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return False
        return super().has_permission(request, view)
