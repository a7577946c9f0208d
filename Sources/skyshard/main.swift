print("skyshard")
