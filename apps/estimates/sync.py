from apps import sync
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification

sync.register(WorkSpecification, type_name="work_specification")
sync.register(Estimate, type_name="estimate", lines=sync.Lines(EstimateLine, parent_field="estimate"))
