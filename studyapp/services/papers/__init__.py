"""Papers (the SLR): import, duplicates, screening, extraction, claims, PRISMA, exports."""
