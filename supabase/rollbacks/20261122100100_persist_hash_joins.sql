alter function public.lendaria_persist(text, jsonb) reset enable_nestloop;
