"""Analyte catalogue API: every signed-in user reads, administrators write."""

from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from inspections.models import Analyte, AnalyteLimit
from inspections.selectors import analyte_list
from inspections.services.analytes import analyte_create, analyte_delete, analyte_update
from trace import access


class AdministratorWritesOthersRead(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or access.is_administrator(
            request.user
        )


class AnalyteLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnalyteLimit
        fields = ["category", "limit"]


class AnalyteSerializer(serializers.ModelSerializer):
    limits = AnalyteLimitSerializer(many=True, required=False)

    class Meta:
        model = Analyte
        fields = [
            "id",
            "name",
            "method",
            "unit",
            "kind",
            "limit",
            "limits",
            "analyte_class",
            "screens",
            "description",
            "is_example",
        ]


class AnalyteViewSet(viewsets.ModelViewSet):
    """The catalogue of analytes and checks, with limits per product category."""

    serializer_class = AnalyteSerializer
    permission_classes = [AdministratorWritesOthersRead]
    filterset_fields = ["kind", "is_example"]
    search_fields = ["name", "method"]

    def get_queryset(self):
        return analyte_list()

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        analyte = analyte_create(**data.validated_data)
        return Response(
            self.get_serializer(analyte).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        analyte = self.get_object()
        data = self.get_serializer(
            analyte, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        analyte = analyte_update(analyte=analyte, **data.validated_data)
        return Response(self.get_serializer(analyte_list().get(pk=analyte.pk)).data)

    def destroy(self, request, *args, **kwargs):
        analyte_delete(analyte=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
