"""The packs' logic. Each pack is a sub-package; packs never import each other (they meet through contracts)."""
