"""Operations: metrics and log formats."""
