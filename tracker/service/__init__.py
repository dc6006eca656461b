"""The use cases. Each public function runs in one transaction and returns plain data."""
