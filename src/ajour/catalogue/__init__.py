"""Course providers, activities and their approval, the public catalogue and attendance."""
