"""Shared shape of the resource ViewSets: scoped reads, service writes."""

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response


class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List and retrieve through a scoped selector; create and update through services.

    Subclasses define `select(user)`, `create_object(data)` and, if updates
    are allowed, `update_object(instance, data)`. Nothing is deleted through
    the API: records are evidence or referenced by evidence.
    """

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.select(self.request.user)

    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return Response(
            self.get_serializer(instance).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.update_object(instance, serializer.validated_data)
        return Response(self.get_serializer(instance).data)


class ReadOnlyServiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Scoped list and retrieve only."""

    def select(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.select(self.request.user)


class ScopedRelationsMixin:
    """Limit related fields to what the requesting user may see.

    `scoped_relations` maps a field name to a selector taking `user`; an id
    outside the user's scope is then "does not exist" (400), like a 404.
    """

    scoped_relations: dict[str, Callable[..., QuerySet]] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for name, selector in self.scoped_relations.items():
            field = fields.get(name)
            if field is None or field.read_only:
                continue
            target = getattr(field, "child_relation", field)
            target.queryset = (
                selector(user=request.user) if request else target.queryset.none()
            )
        return fields
