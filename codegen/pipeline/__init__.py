"""The back half of `generate`, top to bottom (each module imports only those below it):

* run: one run, start to finish (codegen generate / check);
* plan: from the manifest, the units to redo, their tasks, and whether the package-level
  files are rendered again;
* unit: one unit of work, in a worker process: parse, render, write;
* pages: finding and reading the input pages, grouped into units;
* state: the manifest (and the parse cache) the output keeps for the next run;
* savedtrees: the shape trees CHANGES.md last described, and the new ones staged;
* write: every write (atomic), the merge bases, generated files brought up to date;
* merge: hand edits carried into newly generated text (libcst).

Beside them: config ([tool.codegen]), lock, progress, watch, sync and boto3_render
(the pages boto3 renders), releases (two revisions compared: `diff`, `sync`; a page both
have is parsed once) and report (the lines the commands print; codegen/cli.py holds
only the command line). See docs/regenerate.md.
"""
