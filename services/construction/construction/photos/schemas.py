"""What the photos API returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class PhotoPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    house_work_id: uuid.UUID
    progress_update_id: uuid.UUID
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
