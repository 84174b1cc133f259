"""Pure presentation below the services: DataFrame -> altair chart / SVG / PNG, booktabs / Markdown / CSV tables."""
