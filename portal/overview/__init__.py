"""The clinic overview: counts a clinic looks at, drawn as accessible SVG charts."""
