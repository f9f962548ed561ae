"""Records for auditors: the Vergabevermerk (§8 VgV), the Vergabeakte, the auditor's workspace."""
