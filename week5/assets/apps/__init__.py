"""Small apps the lab hosts run (shipped in user data, tested here against real servers)."""
