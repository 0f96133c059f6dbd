"""The outcome-statement importer: a statement read into a draft, reviewed, saved.

- `drafts`: the `Draft` every reader returns and the review corrects (plain data);
- `statement`: the parser of a pasted text, .txt, .docx or text-based .pdf;
- `akoma_ntoso`: the reader of Akoma Ntoso XML, as outcomes/akoma_ntoso.py exports it;
- `uploads`: uploads bounded while they arrive (every request's, the statement's first);
- `review`: what the admin's review and the API share (reading a paste or an upload,
  signing the draft through the form, applying corrected link targets);
- `services`: saving a reviewed draft, all or nothing (`outcome_statement_import`);
- `admin`: the review pages, mixed into the outcome document admin (outcomes/admin.py).

The API's door is outcomes/api/imports.py.
"""
