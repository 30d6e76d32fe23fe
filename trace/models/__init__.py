"""Trace domain: who produces what where, for whose benefit, and where it went.

One module per topic; Django loads `trace.models`, so every model is listed here.
"""

from trace.models.batches import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    SlowSellingMark,
)
from trace.models.catalogue import (
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueEvidence,
    CatalogueObjection,
    CataloguePhoto,
    TownshipNotice,
    catalogue_evidence_upload_to,
)
from trace.models.certification import (
    Certification,
    CertificationPolicy,
    CertificationReview,
)
from trace.models.channels import SalesChannel
from trace.models.common import (
    MONEY,
    NON_NEGATIVE,
    QUANTITY,
    StoredEvidence,
    Transition,
    private_upload_name,
)
from trace.models.events import (
    Sale,
    SaleEvidence,
    TraceEvent,
    sale_evidence_upload_to,
)
from trace.models.households import (
    BenefitEvidence,
    BenefitLink,
    Household,
    HouseholdMember,
    HouseholdPayment,
    WatchClosure,
)
from trace.models.imports import (
    PlatformColumnMapping,
    SalesImport,
    SalesImportRow,
)
from trace.models.licences import (
    BrandLicense,
)
from trace.models.registry import (
    Brand,
    Outlet,
    Producer,
    ProductLine,
    Region,
    UserRole,
    product_title,
)

__all__ = [
    "StoredEvidence",
    "Transition",
    "MONEY",
    "NON_NEGATIVE",
    "QUANTITY",
    "private_upload_name",
    "Brand",
    "Outlet",
    "Producer",
    "ProductLine",
    "Region",
    "UserRole",
    "product_title",
    "Certification",
    "CertificationPolicy",
    "CertificationReview",
    "BenefitEvidence",
    "BenefitLink",
    "HouseholdPayment",
    "WatchClosure",
    "Household",
    "HouseholdMember",
    "BrandLicense",
    "Batch",
    "BatchContribution",
    "BatchStatusChange",
    "SlowSellingMark",
    "Sale",
    "SalesChannel",
    "PlatformColumnMapping",
    "SalesImport",
    "SalesImportRow",
    "SaleEvidence",
    "TraceEvent",
    "sale_evidence_upload_to",
    "CatalogueAvailability",
    "CatalogueEntry",
    "CatalogueEntryStep",
    "CatalogueEvidence",
    "CatalogueObjection",
    "CataloguePhoto",
    "TownshipNotice",
    "catalogue_evidence_upload_to",
]
