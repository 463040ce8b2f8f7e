"""BTS T-100 segment files (TranStats downloads dropped into a folder): measured passengers into US airports."""
