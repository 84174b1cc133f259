"""Interchange with other tools: REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`).

`refi_model` is the REFI-QDA 1.0 model, `refi_write` and `refi_read` its XML (no study involved),
`refi_package` opens a project file; `refi_export` turns a study's transcripts, codebooks, codings
and memos into a project, and `refi_import` brings a project (from ATLAS.ti, MAXQDA, NVivo,
QualCoder, Taguette or studyapp itself) into a study in one transaction, after `refi_plan` has
mapped all of it (`refi_codebook`: code tree -> codebook, `refi_segments`: text -> segments).
`refi_tree` writes codebooks as a code tree, and `refi_identity` keeps a project's sets and GUIDs
(kept in `store.sets` and `store.guids`) so a project goes back to the tool it came from unchanged.
The `.qdpx` and `.qdc` exporters are listed in `studyapp.services.publish.exports.EXPORTERS`.
`studyapp.files` holds the write-whole-or-nothing helpers these and other exports use.
"""
