"""The query API: any cut of programme × period × area, with the measures asked for,
as flat cells that partners load into their own tools."""
