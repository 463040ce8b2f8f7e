"""OpenAlex API: works and group_by counts (the papers family's sample and live source)."""
