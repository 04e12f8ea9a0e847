from tests.guided_rendering_check import guided_rendering_matches_the_schema
from tests.rendering_check import rendering_matches_the_schemas

__all__ = ["guided_rendering_matches_the_schema", "rendering_matches_the_schemas"]
