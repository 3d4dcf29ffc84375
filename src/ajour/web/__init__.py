"""The portal shell: base templates, login (MitID broker and demo logins), home pages per role."""
