//! Open enums used inside a plugin release `config`.

open_enum! {
    /// Data type a plugin works on.
    pub enum DataType (exact) {
        /// Images.
        Image = "image",
        /// Text.
        Text = "text",
        /// Video.
        Video = "video",
        /// Point clouds.
        Pcd = "pcd",
        /// Audio.
        Audio = "audio",
        /// Generic data (SDK only).
        Data = "data",
    }
}

open_enum! {
    /// Annotation category.
    pub enum AnnotationCategory (exact) {
        /// Images.
        Image = "image",
        /// Video.
        Video = "video",
        /// Audio.
        Audio = "audio",
        /// Text.
        Text = "text",
        /// Point clouds.
        Pcd = "pcd",
        /// Prompts.
        Prompt = "prompt",
        /// Time series.
        TimeSeries = "time_series",
    }
}

open_enum! {
    /// Annotation type.
    pub enum AnnotationType (exact) {
        /// Bounding box.
        Bbox = "bbox",
        /// Polygon.
        Polygon = "polygon",
        /// Point.
        Point = "point",
        /// Line.
        Line = "line",
        /// Mask.
        Mask = "mask",
        /// Label.
        Label = "label",
    }
}

open_enum! {
    /// Annotation tool (note the camelCase `annotationGroup` and digit-first `3d_…`).
    pub enum AnnotationTool (exact) {
        /// Bounding box.
        BoundingBox = "bounding_box",
        /// Polygon.
        Polygon = "polygon",
        /// Polyline.
        Polyline = "polyline",
        /// Keypoint.
        Keypoint = "keypoint",
        /// Segmentation.
        Segmentation = "segmentation",
        /// Relation.
        Relation = "relation",
        /// Classification.
        Classification = "classification",
        /// Annotation group.
        AnnotationGroup = "annotationGroup",
        /// Named entity.
        NamedEntity = "named_entity",
        /// 3D bounding box.
        BoundingBox3d = "3d_bounding_box",
        /// 3D segmentation.
        Segmentation3d = "3d_segmentation",
        /// Prompt.
        Prompt = "prompt",
        /// Answer.
        Answer = "answer",
        /// Time range.
        TimeRange = "time_range",
    }
}

open_enum! {
    /// Smart tool type.
    pub enum SmartToolType (exact) {
        /// Interactive.
        Interactive = "interactive",
        /// Automatic.
        Automatic = "automatic",
        /// Semi-automatic.
        SemiAutomatic = "semi_automatic",
    }
}

open_enum! {
    /// Python package manager of a plugin (`pip` is the default).
    pub enum PackageManager (exact, Default) {
        /// pip.
        #[default]
        Pip = "pip",
        /// uv.
        Uv = "uv",
    }
}

open_enum! {
    /// Kind of an agent container.
    pub enum ContainerKind (exact) {
        /// Plugin runtime container.
        PluginRuntime = "plugin_runtime",
        /// code-server container.
        CodeServer = "code_server",
    }
}
