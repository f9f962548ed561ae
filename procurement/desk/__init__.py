"""The Kompetenzzentrum support desk: advisory requests, introductions to pilot municipalities, FAQ."""
