from tests.rendering_check import rendering_matches_the_schemas

__all__ = ["rendering_matches_the_schemas"]
