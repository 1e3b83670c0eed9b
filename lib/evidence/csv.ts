// Moved to lib/api/csv.ts (graph and campaigns export CSV too, and sit below evidence); kept for evidence's own files.
export * from "@/lib/api/csv";
