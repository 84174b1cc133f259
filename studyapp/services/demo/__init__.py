"""The bundled demo study."""
