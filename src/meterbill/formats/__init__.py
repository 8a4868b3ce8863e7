"""Pure readers and writers of files. A reader returns rows and row-level errors and
never touches the database; a writer turns plain data into bytes."""
